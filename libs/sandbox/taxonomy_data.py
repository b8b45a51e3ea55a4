"""The sandbox's category tree as data (parsed once per process by ``taxonomy.py``).

Format, one node per line:

* a line without indent is a top-level category: ``Name | kind [| STATUS]``;
* an indented line is ``Path [| kind] [| STATUS]: leaf; leaf; ...`` where ``Path`` may go deeper
  with ``" > "`` (``Kitchenware > Cookware``), creating the intermediate nodes once.

``kind`` selects the attribute template and the rules (``attributes.py``); kind and STATUS
(``AVAILABLE`` unless given: ``INVITE_ONLY``, ``PROHIBITED``) are inherited downwards. Restricted
categories that need certifications (beauty, toys, electronics, food) are AVAILABLE: their rules
require the certificates instead.
"""

from __future__ import annotations

TREE = """
Womenswear | apparel
  Tops: T-shirts; Blouses; Shirts; Tank tops & camisoles; Crop tops; Bodysuits; Polo shirts
  Dresses: Casual dresses; Maxi dresses; Midi dresses; Mini dresses; Evening dresses; Shirt dresses
  Bottoms: Jeans; Trousers; Leggings; Shorts; Skirts; Joggers
  Outerwear: Coats; Jackets; Blazers; Vests & gilets; Raincoats
  Knitwear: Sweaters; Cardigans; Knitted vests
  Activewear: Sports bras; Yoga pants; Sports tops; Tracksuits
  Lingerie & Sleepwear: Bras; Panties; Pyjamas; Robes; Shapewear
  Swimwear: Bikinis; One-piece swimsuits; Cover-ups
Menswear | apparel
  Tops: T-shirts; Shirts; Polo shirts; Tank tops; Henleys
  Bottoms: Jeans; Chinos; Trousers; Shorts; Joggers
  Outerwear: Coats; Jackets; Blazers; Gilets
  Knitwear: Sweaters; Cardigans; Hoodies & sweatshirts
  Suits: Suit jackets; Suit trousers; Waistcoats; Tuxedos
  Underwear & Socks: Boxers; Briefs; Socks; Undershirts
  Activewear: Sports T-shirts; Training shorts; Tracksuits; Compression wear
Kids' Fashion | kids_apparel
  Girls' clothing: Dresses; Tops; Bottoms; Outerwear; Sleepwear
  Boys' clothing: Tops; Bottoms; Outerwear; Sleepwear; Sets
  Baby clothing: Bodysuits; Rompers; Baby sets; Baby sleepwear
Shoes | shoes
  Women's shoes: Sneakers; Boots; Sandals; Heels; Flats; Slippers; Loafers
  Men's shoes: Sneakers; Boots; Sandals; Formal shoes; Slippers; Loafers
  Kids' shoes: Sneakers; Boots; Sandals; School shoes
  Shoe accessories | accessories: Insoles; Shoelaces; Shoe care
Bags & Luggage | accessories
  Women's bags: Handbags; Shoulder bags; Crossbody bags; Tote bags; Clutches; Backpacks
  Men's bags: Backpacks; Messenger bags; Briefcases; Waist bags
  Luggage & Travel: Suitcases; Travel bags; Packing cubes; Luggage tags
  Wallets & Cardholders: Wallets; Cardholders; Coin purses
Home & Kitchen | home
  Kitchenware > Cookware: Frying pans; Saucepans; Woks; Dutch ovens; Baking trays
  Kitchenware > Kitchen utensils: Knives; Cutting boards; Spatulas; Measuring tools; Peelers & graters
  Kitchenware > Food storage: Storage containers; Lunch boxes; Jars; Food wraps
  Tableware: Plates; Bowls; Mugs; Glasses; Cutlery; Table linen
  Home decor: Candles; Vases; Wall art; Photo frames; Artificial plants; Clocks; Mirrors
  Bedding: Bed sheets; Duvet covers; Pillows; Blankets & throws; Mattress toppers
  Bath: Towels; Bath mats; Shower curtains; Bathroom storage
  Storage & Organisation: Storage boxes; Hangers; Shelving; Laundry baskets
  Cleaning supplies: Mops & brooms; Cleaning cloths; Sponges & scrubbers; Trash cans
  Furniture | furniture: Sofas; Armchairs; Dining tables; Chairs; Desks; Beds; Wardrobes; Bookcases; TV stands
  Home appliances | appliance: Vacuum cleaners; Air purifiers; Fans; Heaters; Humidifiers; Irons
  Kitchen appliances | appliance: Blenders; Coffee makers; Kettles; Air fryers; Toasters; Microwaves; Rice cookers
Beauty & Personal Care | beauty
  Makeup > Face: Foundation; Concealer; Powder; Blush; Bronzer; Highlighter; Primer
  Makeup > Eyes: Mascara; Eyeliner; Eyeshadow; Eyebrow pencils; False eyelashes
  Makeup > Lips: Lipstick; Lip gloss; Lip liner; Lip balm
  Skincare: Cleansers; Toners; Serums; Moisturisers; Sunscreen; Face masks; Eye creams
  Hair care: Shampoo; Conditioner; Hair masks; Hair oils; Styling products; Hair colour
  Fragrance: Perfume; Eau de toilette; Body mists
  Bath & Body: Body wash; Body lotion; Hand cream; Deodorant; Soap
  Nail care: Nail polish; Nail tools; Press-on nails
  Beauty tools | beauty_tools: Makeup brushes; Makeup sponges; Hair dryers; Hair straighteners; Vanity mirrors
Toys & Hobbies | toys
  Dolls & Stuffed toys: Dolls; Plush toys; Dollhouses; Action figures
  Educational toys: STEM kits; Puzzles; Building blocks; Learning toys
  Outdoor & Sports toys: Ride-on toys; Water toys; Kites; Playhouses
  Games: Board games; Card games; Party games
  Baby & Toddler toys: Rattles; Teethers; Activity gyms; Stacking toys
  Remote control toys: RC cars; Drones; RC boats
  Hobbies & Crafts | hobbies: Model kits; Drawing supplies; Knitting & sewing; Craft kits
Phones & Electronics | electronics
  Phones & Tablets: Mobile phones; Tablets; E-readers
  Phones & Tablets > Phone accessories: Phone cases; Screen protectors; Chargers; Cables; Power banks; Phone holders
  Audio: Headphones; Earbuds; Bluetooth speakers; Soundbars; Microphones
  Cameras: Digital cameras; Action cameras; Lenses; Tripods; Memory cards
  Wearables: Smart watches; Fitness trackers; Watch bands
  TV & Video: Televisions; Projectors; Streaming devices
  Gaming: Consoles; Controllers; Gaming headsets; Video games
Computers & Office | electronics
  Computers: Laptops; Desktop computers; Monitors
  Computer accessories: Keyboards; Mice; Webcams; USB hubs; Laptop bags
  Data storage: External hard drives; USB flash drives; SSDs
  Office supplies | office: Notebooks; Pens; Desk organisers; Staplers; Labels
Food & Beverages | food
  Snacks: Chips & crisps; Nuts & seeds; Cookies & biscuits; Chocolate; Candy; Jerky
  Beverages: Coffee; Tea; Juices; Soft drinks; Energy drinks; Water
  Pantry: Pasta; Rice & grains; Sauces & condiments; Spices & seasonings; Oils & vinegars; Baking ingredients
  Breakfast: Cereals; Oats; Spreads; Honey & syrups
  Health foods: Protein powder; Vitamins & supplements; Meal replacements
Sports & Outdoors | sports
  Fitness: Dumbbells; Resistance bands; Yoga mats; Exercise bikes; Jump ropes
  Camping & Hiking: Tents; Sleeping bags; Hiking backpacks; Camping stoves; Headlamps
  Cycling: Bicycles; Helmets; Bike lights; Bike locks
  Team sports: Football; Basketball; Baseball; Volleyball
  Water sports: Swim goggles; Wetsuits; Paddle boards; Life jackets
  Fishing: Fishing rods; Reels; Lures & baits; Tackle boxes
Pet Supplies | pet
  Dog supplies: Dog food; Dog treats; Dog toys; Leashes & collars; Dog beds
  Cat supplies: Cat food; Cat litter; Cat toys; Scratching posts; Cat beds
  Fish & Aquatics: Aquariums; Filters; Fish food
  Small animals: Cages; Bedding; Small animal food
Automotive & Motorcycle | auto
  Car accessories: Seat covers; Floor mats; Phone mounts; Car organisers; Sunshades
  Car electronics: Dash cams; Car chargers; Car audio; GPS navigators
  Car care: Car wash; Wax & polish; Interior cleaners
  Motorcycle accessories: Motorcycle helmets; Riding gloves; Motorcycle covers
Books & Media | books
  Books: Fiction; Non-fiction; Children's books; Comics & graphic novels; Cookbooks; Textbooks
  Magazines: Fashion magazines; Hobby magazines
  Music & Film: Vinyl records; CDs; DVDs & Blu-ray
Jewellery & Accessories | jewellery
  Fashion jewellery: Necklaces; Earrings; Bracelets; Rings; Anklets; Brooches
  Fine jewellery | fine_jewellery | INVITE_ONLY: Gold jewellery; Silver jewellery; Diamond jewellery; Pearl jewellery; Gemstone jewellery
  Watches: Men's watches; Women's watches; Kids' watches
  Fashion accessories | accessories: Sunglasses; Hats & caps; Scarves; Belts; Gloves; Hair accessories
Collectibles | collectibles | INVITE_ONLY
  Trading cards: Sports cards; Game cards; Card storage
  Coins & Banknotes: Coins; Banknotes; Coin albums
  Memorabilia: Sports memorabilia; Film & TV memorabilia; Autographs
  Art: Paintings; Prints; Sculptures
Weapons | prohibited | PROHIBITED
  Firearms: Guns; Ammunition; Gun parts
  Weapons & Self-defence: Blades; Pepper spray; Stun guns
Tobacco & Smoking | prohibited | PROHIBITED
  Tobacco: Cigarettes; Cigars; Rolling tobacco
  E-cigarettes: Vapes; E-liquids; Heated tobacco
"""
